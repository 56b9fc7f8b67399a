"""Offline evaluation of Genie: labelled datasets and the runners that score them."""

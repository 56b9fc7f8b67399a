"""Static files served by the app (the admin dashboard); a package so wheels include them."""

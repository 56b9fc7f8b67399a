"""Knowledge checks after a session: the quiz model, the grader, the flow and its turn step."""

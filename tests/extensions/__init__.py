"""Extensions registered from the tests folder, to prove each extension point takes one file."""

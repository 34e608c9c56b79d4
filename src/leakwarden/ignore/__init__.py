"""Ways a team says "not a leak": inline allow comments, a reviewed ignore file, a baseline."""

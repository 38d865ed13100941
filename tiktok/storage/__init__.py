"""Storage at the edge: jsonlines files, their repair, and the state derived from them."""

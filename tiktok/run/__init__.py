"""What one run of a spider is: its context (id, data directory, store, arguments, the gaps it
knows of), the lock that makes it the only writer of its data directory, and its verdict."""

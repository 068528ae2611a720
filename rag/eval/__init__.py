"""`rag eval`: quality and speed figures. ``squad.py`` runs a SQuAD-format set (and follow-up
conversations) through a fresh index; ``sets.py`` runs bench/'s own sets (reader questions,
lay rewrites, unanswerable questions, a conflict set) and holds the command."""

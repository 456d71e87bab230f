# pipeline/: the flow model and the L2 pipeline compiler (pure).

"""One-shot classification on shared episodes (Lake et al. 2015; Feinman & Lake 2021, Sec. 5,
Table 2): every model that can classify is scored on the identical 20-way within-alphabet runs
(:mod:`.episode_set`), with per-run errors (:mod:`.scoring`), and the rows meet in one leaderboard
(:mod:`.leaderboard`)."""

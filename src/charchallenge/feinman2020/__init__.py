"""Feinman & Lake (2020), "Generating new concepts with hybrid neuro-symbolic models" (CogSci):
the Full neuro-symbolic model, the Hierarchical LSTM and the Baseline LSTM, scored on the same
drawing variables (:mod:`.encoding`), trained by maximum likelihood, compared in Table 1 and by
their samples (Figs. 5-8). One module per job; pipeline scripts live in
workflow/scripts/feinman2020/.
"""

"""Fabi, Otte, Wiese & Butz (2020), "Investigating efficient learning and compositionality in
generative LSTM networks" (ICANN 2020): a feed-forward + LSTM trajectory generator trained on
half an alphabet, one-shot inference of novel characters, variants, type inference, blending
and hidden-state analysis. One module per job; the pipeline scripts live in
workflow/scripts/fabi2020/.
"""

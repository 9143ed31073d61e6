"""Ten-class binarised 8x8 digits learned by reverse derivative ascent.

Pixels > 8 (of 0..16), stratified 70/30 split (seed 0), zero initial tables; 256 lookup tables
on random 8-tuples of pixels, each Z2^8 -> Z2^10, read out by plurality vote.

    python examples/rda_digits.py
"""
from catgrad.boolean import experiments as ex

if __name__ == "__main__":
    print(ex.digits_ensemble(loss="missed-ones", log=print).line())
    print(ex.digits_ensemble(loss="xor").line())

"""Today's LED renderer, typesetter and packager as they stood before strips, CFR video and
word-aware line breaks, frozen here so bench/led_bench.py can measure old and new in one run."""

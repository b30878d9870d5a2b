# The code a planted compiled-template file holds (tests/test_attacks.py builds the file around it, for
# the shipped template it would replace). Were it ever run, it would leave the marker file behind.
open(MARKER, "w").write("fourp ran a planted compiled template")

"""The adversary suite: one test per attack that the threat model names.

Each test plays one attack as the adversary would (a State that seized the
server, a stolen or curious staff account, a hostile file, a flood of junk) and
fails if the attack works. docs/threat-model.md lists each attack with its control
and the test here that proves it.
"""

"""The SPARQL course: exercises over the starter snapshot, an autograder, and an instructor export.

>>> from ptmkg import teaching
>>> ex = teaching.get("01")
>>> print(teaching.check(ex, ex.solution))        # doctest: +SKIP
"""

from ptmkg.teaching.exercises import Exercise, Literature, exercises, get, levels
from ptmkg.teaching.grade import Feedback, check, run

__all__ = ["Exercise", "Feedback", "Literature", "check", "exercises", "get", "levels", "run"]

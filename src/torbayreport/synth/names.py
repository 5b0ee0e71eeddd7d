"""Fake but realistic-looking identifiers: worker names, child ids and placement postcodes.

Why realistic: worker names and postcodes are *sensitive* columns. The disclosure tests check that
none of them leaks into a public report, which only means something if the values look like the
real thing (a name, a ``TQ2 5XX`` postcode) rather than ``name_1``. None is a real person or a
real address: names are common given names × common surnames, postcodes are drawn from real
outward codes with random (not real) inward codes.
"""

from __future__ import annotations

import numpy as np

FIRST_NAMES = (
    "Amelia Olivia Emily Isla Ava Jessica Sophie Grace Lily Chloe Ella Mia Lucy Charlotte Holly "
    "Hannah Rachel Sarah Laura Emma Claire Helen Kate Joanne Nicola Gemma Kirsty Leanne Ruth Jane "
    "Oliver Jack Harry George Charlie Thomas James William Daniel Joshua Samuel Matthew Andrew "
    "David Mark Paul Richard Stephen Michael Peter Simon Adam Ben Chris Tom Rob Ian Gareth Neil "
    "Priya Aisha Fatima Zainab Mohammed Imran Tariq Chidi Ngozi Kwame Tomasz Agnieszka Marta"
).split()
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker "
    "White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell "
    "Rose Davis Rodriguez Cox Alexander Morgan Moore Hughes Edwards Harris Turner Cooper Hill Ward "
    "Parker Bennett Cook Carter Shaw Lloyd Baker Harrison Ellis Fisher Pearce Stevens Bailey "
    "Hawkins Pengelly Trethewey Chudleigh Widdicombe Luscombe Yeo Coaker Hext Nowak Okafor Mensah"
).split()

# Outward codes: Torbay itself (most in-house placements), wider Devon, further away (private
# residential and out-of-area foster placements).
LOCAL = ["TQ1", "TQ2", "TQ3", "TQ4", "TQ5"]
NEAR = ["TQ6", "TQ9", "TQ12", "TQ13", "TQ14", "EX1", "EX2", "EX4", "EX7", "EX8", "PL1", "PL4", "PL6", "PL21"]
FAR = ["BS3", "BS16", "BA2", "TA1", "TR1", "TR15", "SO15", "BH8", "GL1", "B23", "M14", "CF5", "SN1", "NP20"]
_INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))  # letters used in inward codes


def worker_names(rng: np.random.Generator, n: int) -> np.ndarray:
    first = np.asarray(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), n)]
    last = np.asarray(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)]
    return first + " " + last


def postcodes(rng: np.random.Generator, n: int, p_local: float | np.ndarray, p_near: float = 0.25) -> np.ndarray:
    """Postcodes like ``TQ2 5XX``: local with probability ``p_local``, else near or far."""
    u = rng.random(n)
    local = np.asarray(LOCAL, dtype=object)[rng.integers(0, len(LOCAL), n)]
    near = np.asarray(NEAR, dtype=object)[rng.integers(0, len(NEAR), n)]
    far = np.asarray(FAR, dtype=object)[rng.integers(0, len(FAR), n)]
    p_local = np.broadcast_to(np.asarray(p_local, dtype=float), (n,))
    outward = np.where(u < p_local, local, np.where(u < p_local + p_near, near, far))
    digit = rng.integers(1, 10, n).astype(str).astype(object)
    letters = _INWARD_LETTERS[rng.integers(0, len(_INWARD_LETTERS), (n, 2))]
    inward = digit + letters[:, 0].astype(object) + letters[:, 1].astype(object)
    return outward + " " + inward


def ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + zero-padded number, e.g. ``C000123``; vectorised."""
    if np.size(numbers) == 0:  # a tiny synthetic council can have no rows in a table
        return np.empty(0, dtype=object)
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width)).astype(object)

"""Process-independent integer hashing for the sandbox.

Python's ``hash()`` of strings is salted per process, so every random decision in the
sandbox is derived from integers with splitmix64 instead: the same (seed, salt, index)
gives the same answer in every process, on every machine, forever.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_INV_2_64 = 1.0 / float(1 << 64)


def mix64(value: int) -> int:
    """Scramble an integer into a well-distributed 64-bit value (splitmix64 finaliser)."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def stream_key(seed: int, salt: int) -> int:
    """Key of an independent decision stream; precompute it once per (seed, salt)."""
    return mix64((seed & _MASK) ^ mix64(salt))


def derive(key: int, index: int) -> int:
    """64-bit value for item ``index`` of the stream ``key`` (mix64 inlined: this is a hot path)."""
    value = (key + index * 0xD1B54A32D192ED03 + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def unit(key: int, index: int) -> float:
    """Uniform float in [0, 1) for item ``index`` of the stream ``key``."""
    value = (key + index * 0xD1B54A32D192ED03 + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return (value ^ (value >> 31)) * _INV_2_64


def text_salt(text: str) -> int:
    """Stable integer for a short label (used to name decision streams)."""
    value = 0xCBF29CE484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001B3) & _MASK
    return value

"""Country-name harmonisation: country_converter plus the alias table in geodata/raw/."""

from __future__ import annotations

import csv
import logging
from functools import lru_cache
from pathlib import Path

import country_converter as coco

logging.getLogger("country_converter").setLevel(logging.CRITICAL)


@lru_cache(maxsize=1)
def converter() -> coco.CountryConverter:
    return coco.CountryConverter()


@lru_cache(maxsize=1)
def country_table() -> dict[str, dict[str, str]]:
    """ISO3 -> short name, continent, UN subregion, ISO numeric, as country_converter has them."""
    data = converter().data
    out = {}
    for rec in data[["ISO3", "name_short", "Continent_7", "UNregion", "ISOnumeric"]].itertuples():
        out[rec.ISO3] = {
            "name": rec.name_short,
            "continent": rec.Continent_7,
            "subregion": rec.UNregion,
            "isonumeric": rec.ISOnumeric,
        }
    return out


class NameResolver:
    """Resolve common names, ISO2 and ISO3 codes to ISO 3166-1 alpha-3.

    The alias table wins over country_converter; which aliases were used and which names
    matched nothing are recorded for the build report.
    """

    def __init__(self, aliases: dict[str, str], extra_codes: set[str] = frozenset()):
        self._aliases = {_key(k): v for k, v in aliases.items()}
        self._alias_names = {_key(k): k for k in aliases}
        self._valid = set(country_table()) | set(extra_codes) | set(aliases.values())
        self._cache: dict[str, str | None] = {}
        self.used_aliases: set[str] = set()
        self.unmatched: dict[str, int] = {}

    @classmethod
    def from_csv(cls, path: Path, extra_codes: set[str] = frozenset()) -> NameResolver:
        with open(path, newline="", encoding="utf-8-sig") as f:
            aliases = {r["alias"].strip(): r["iso3"].strip() for r in csv.DictReader(f)}
        return cls(aliases, extra_codes)

    def resolve(self, name: str) -> str | None:
        """Return the ISO3 code for a name or code, or None when it matches no country."""
        key = _key(name)
        if not key:
            return None
        if key in self._aliases:
            self.used_aliases.add(self._alias_names[key])
            return self._aliases[key]
        if key not in self._cache:
            self._cache[key] = self._convert(name.strip())
        result = self._cache[key]
        if result is None:
            self.unmatched[name.strip()] = self.unmatched.get(name.strip(), 0) + 1
        return result

    def unused_aliases(self) -> list[str]:
        return sorted(set(self._alias_names.values()) - self.used_aliases)

    def _convert(self, name: str) -> str | None:
        upper = name.upper()
        if not any(ch.isalpha() for ch in name):
            return None  # a number in the country column is a mistake, not an ISO numeric code
        if len(upper) == 3 and upper in self._valid:
            return upper
        result = converter().convert(name, to="ISO3", not_found=None)
        if isinstance(result, str) and result in self._valid:
            return result
        return None


def _key(name: str) -> str:
    return " ".join(str(name).replace("\u2019", "'").split()).casefold()

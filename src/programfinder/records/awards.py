"""The award schemes the shipped corpus knows, with their folder slugs and criteria."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Folder slug -> display name used in the ``award`` field of records.
AWARD_NAMES: dict[str, str] = {
    "iacp-crime-prevention": "IACP Leadership in Crime Prevention Award",
    "iacp-community-policing": "IACP Community Policing Award",
    "iacp-vehicle-crimes": "IACP Leadership in the Prevention of Vehicle Crimes Award",
    "goldstein": "Herman Goldstein Award for Excellence in Problem-Oriented Policing",
    "tilley": "Tilley Award",
    "ecpa": "European Crime Prevention Award",
    "acvpa": "Australian Crime and Violence Prevention Awards",
    "webber-seavey": "IACP/Motorola Webber Seavey Award for Quality in Law Enforcement",
    "hein-roethof": "Hein Roethof Prize",
    "impumelelo": "Impumelelo Innovations Award",
    "innovations-american-government": "Innovations in American Government Award",
    "nz-police-ebpop": "New Zealand Police Evidence-based Problem-Oriented Policing (EBPOP) Awards",
    "ipanz": "IPANZ Public Sector Excellence Awards",
    "oacp": "OACP Award of Excellence in Community Safety, Wellness and Crime Prevention",
    "galing-pook": "Galing Pook Awards",
    "korea-crime-prevention": "Korea Crime Prevention Awards",
    "ficci-smart-policing": "FICCI SMART Policing Awards",
    "howard-league": "Howard League Community Awards",
    "crimebeat": "National Crimebeat Awards",
    "scottish-policing": "Scottish Policing Excellence Awards",
    "ncja": "NCJA Outstanding Criminal Justice Program Award",
    "cssp-singapore": "National Community Safety and Security Programme (CSSP) Awards",
    "un-public-service": "United Nations Public Service Awards",
    "gobernarte": "IDB Gobernarte Award",
    "intersection-quebec": "Prix d'excellence Intersection",
    "honoring-nations": "Honoring Nations Award",
    "metlife-community-police": "MetLife Foundation Community-Police Partnership Award",
    "gestao-publica-cidadania": "Prêmio Gestão Pública e Cidadania",
    "gestor-publico-rs": "Prêmio Gestor Público",
    "google-impact-challenge-sa": "Google Impact Challenge South Africa",
}

#: Short labels for narrow table columns.
AWARD_SHORT_NAMES: dict[str, str] = {
    "iacp-crime-prevention": "IACP Crime Prevention",
    "iacp-community-policing": "IACP Community Policing",
    "iacp-vehicle-crimes": "IACP Vehicle Crimes",
    "goldstein": "Goldstein",
    "tilley": "Tilley",
    "ecpa": "European CPA",
    "acvpa": "Australian CVPA",
    "webber-seavey": "Webber Seavey",
    "hein-roethof": "Hein Roethof",
    "impumelelo": "Impumelelo",
    "innovations-american-government": "Innovations Am. Gov.",
    "nz-police-ebpop": "NZ Police EBPOP",
    "ipanz": "IPANZ",
    "oacp": "OACP",
    "galing-pook": "Galing Pook",
    "korea-crime-prevention": "Korea CPA",
    "ficci-smart-policing": "FICCI SMART Policing",
    "howard-league": "Howard League",
    "crimebeat": "Crimebeat",
    "scottish-policing": "Scottish Policing",
    "ncja": "NCJA OCJP",
    "cssp-singapore": "Singapore CSSP",
    "un-public-service": "UN Public Service",
    "gobernarte": "IDB Gobernarte",
    "intersection-quebec": "Intersection (Québec)",
    "honoring-nations": "Honoring Nations",
    "metlife-community-police": "MetLife Partnership",
    "gestao-publica-cidadania": "Gestão Pública e Cidadania",
    "gestor-publico-rs": "Gestor Público (RS)",
    "google-impact-challenge-sa": "Google Impact SA",
}


@lru_cache(maxsize=4_096)
def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: ``"Round Rock PD"`` -> ``"round-rock-pd"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@lru_cache(maxsize=1_024)
def award_slug(award: str) -> str:
    """The folder slug of an award display name, or a slug made from the name if it is not known."""
    for slug, name in AWARD_NAMES.items():
        if name.casefold() == award.strip().casefold():
            return slug
    return slugify(award)


def award_short_name(award: str) -> str:
    """A short label for an award, for table columns."""
    return AWARD_SHORT_NAMES.get(award_slug(award), award)

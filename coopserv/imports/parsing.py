"""Read the CSV files spreadsheets write: UTF-8 or Windows-1252, `;` or `,`, French or English headers.

Pure functions (bytes in, rows out) so the rules are tested without a database.
"""
import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from marshmallow import ValidationError

#: Larger files are refused before parsing (10,000 lines of members weigh about 1 MB).
MAX_BYTES = 8 * 1024 * 1024
MAX_LINES = 20_000

ORGANIZATIONS = "organizations"
MEMBERS = "members"
KINDS = (ORGANIZATIONS, MEMBERS)

#: Normalised header -> field, per kind (headers are lower-cased, accents and punctuation removed).
HEADERS = {
    ORGANIZATIONS: {
        "name": ("nom", "name", "raison_sociale", "organisation", "organization", "denomination", "entreprise",
                 "structure"),
        "siret": ("siret", "n_siret", "no_siret", "numero_siret", "num_siret"),
        "headcount": ("effectif", "effectifs", "headcount", "employees", "salaries", "nombre_de_salaries",
                      "employee_count", "nb_salaries"),
        "sector": ("secteur", "sector", "secteur_d_activite", "activite", "activity"),
        "address": ("adresse", "address", "adresse_postale"),
        "kind": ("type", "kind", "nature", "categorie"),
        "business_park": ("zone_d_activite", "za", "zone", "business_park", "parc_d_activites"),
    },
    MEMBERS: {
        "email": ("email", "e_mail", "courriel", "mail", "adresse_e_mail", "adresse_email", "adresse_mail"),
        "name": ("nom_complet", "name", "full_name", "prenom_nom", "nom_et_prenom", "personne"),
        "first_name": ("prenom", "first_name", "firstname", "given_name"),
        "last_name": ("nom", "last_name", "lastname", "surname", "nom_de_famille"),
        "organization": ("organisation", "organization", "entreprise", "company", "employeur", "structure",
                         "siret"),
        "role": ("role", "fonction_dans_la_demarche", "profil"),
    },
}
REQUIRED = {ORGANIZATIONS: ({"name"},), MEMBERS: ({"email"}, {"name", "first_name", "last_name"})}


@dataclass
class ParsedFile:
    """Rows of a CSV file as {field: text}, with the physical line each starts on."""

    encoding: str
    delimiter: str
    columns: dict
    rows: list = field(default_factory=list)


def file_error(message):
    return ValidationError({"file": [str(message)]})


def decode(raw):
    """Return (text, encoding): UTF-8 (with or without BOM) when it decodes, else Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        # The five bytes Windows-1252 leaves undefined: Latin-1 reads them as control characters.
        return raw.decode("latin-1"), "iso-8859-1"


def sniff_delimiter(text):
    """`;` or `,`: whichever the header line uses more, outside quotes."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    outside = re.sub(r'"[^"]*"', "", header)
    return ";" if outside.count(";") > outside.count(",") else ","


def normalise_header(name):
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def map_columns(kind, header):
    """Map column positions to fields; unknown columns are ignored, required ones must be there."""
    aliases = {alias: name for name, names in HEADERS[kind].items() for alias in names}
    columns = {}
    for index, title in enumerate(header):
        name = aliases.get(normalise_header(title))
        if name is not None and name not in columns.values():
            columns[index] = name
    found = set(columns.values())
    missing = [group for group in REQUIRED[kind] if not group & found]
    if missing:
        expected = " / ".join(sorted(HEADERS[kind][sorted(missing[0])[0]][:2]))
        raise file_error(_l("The first line must name the columns; this one is missing: %(column)s.",
                            column=expected))
    return columns


def parse(kind, raw):
    """Decode, sniff and read ``raw`` (bytes) into a ParsedFile; file-level problems raise ValidationError."""
    if kind not in KINDS:
        raise ValidationError({"kind": [str(_l("Choose one of the proposed values."))]})
    if not raw:
        raise file_error(_l("Choose a CSV file."))
    if len(raw) > MAX_BYTES:
        raise file_error(_l("The file is too large (at most %(mb)s MB).", mb=MAX_BYTES // (1024 * 1024)))
    text, encoding = decode(raw)
    if "\x00" in text:
        raise file_error(_l("This is not a CSV file (it contains binary data)."))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise file_error(_l("The file is empty."))
        columns = map_columns(kind, header)
        parsed = ParsedFile(encoding, delimiter, columns)
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed.rows) >= MAX_LINES:
                raise file_error(lazy_ngettext("The file has more than %(num)d line; split it.",
                                                   "The file has more than %(num)d lines; split it.", MAX_LINES))
            parsed.rows.append((line, {name: cells[index].strip() for index, name in columns.items()
                                       if index < len(cells) and cells[index].strip()}))
    except csv.Error:
        raise file_error(_l("The file could not be read as CSV (check the quotes).")) from None
    if not parsed.rows:
        raise file_error(_l("The file has a header but no lines."))
    return parsed

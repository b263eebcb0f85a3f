"""Reading the CSV files spreadsheets write: encodings, separators, headers, and what is refused."""
import pytest
from flask_babel import force_locale
from marshmallow import ValidationError

from coopserv.imports import parsing


def test_utf8_with_bom_and_semicolons_with_french_headers(app):
    raw = "\ufeffNom;N° SIRET;Effectif;Secteur d'activité;Adresse\nMenuiserie du Célé;123 456 789 01234;22;Bois;\"ZA; 46100 Figeac\"\n"
    parsed = parsing.parse(parsing.ORGANIZATIONS, raw.encode("utf-8"))
    assert (parsed.encoding, parsed.delimiter) == ("utf-8", ";")
    assert parsed.rows == [(2, {"name": "Menuiserie du Célé", "siret": "123 456 789 01234", "headcount": "22",
                                "sector": "Bois", "address": "ZA; 46100 Figeac"})]


def test_windows_1252_with_commas_is_detected(app):
    raw = "E-mail,Prénom,Nom,Entreprise,Rôle\r\nlea@example.org,Léa,Dupré,Société Générale,référent\r\n"
    parsed = parsing.parse(parsing.MEMBERS, raw.encode("cp1252"))
    assert (parsed.encoding, parsed.delimiter) == ("windows-1252", ",")
    assert parsed.rows[0][1] == {"email": "lea@example.org", "first_name": "Léa", "last_name": "Dupré",
                                 "organization": "Société Générale", "role": "référent"}


def test_line_numbers_count_physical_lines_and_blank_lines_are_skipped(app):
    raw = 'name;address\nA;"line one\nline two"\n\n;\nB;x\n'
    parsed = parsing.parse(parsing.ORGANIZATIONS, raw.encode())
    assert [line for line, _cells in parsed.rows] == [2, 6]


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "Choose a CSV file"),
    (b"siret;headcount\n12345678901234;3\n", "missing"),
    (b"name\n", "no lines"),
    (b"name\nA\x00B\n", "binary"),
])
def test_file_level_problems_are_field_errors_on_the_file(app, raw, message):
    with app.test_request_context(), force_locale("en"), pytest.raises(ValidationError) as caught:
        parsing.parse(parsing.ORGANIZATIONS, raw)
    assert message in " ".join(caught.value.messages["file"])


def test_files_over_the_line_limit_are_refused(app, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_LINES", 3)
    raw = "name\n" + "".join(f"Company {n}\n" for n in range(4))
    with pytest.raises(ValidationError) as caught:
        parsing.parse(parsing.ORGANIZATIONS, raw.encode())
    assert "3" in caught.value.messages["file"][0]

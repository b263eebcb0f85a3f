"""Uploaded logos: checked to be a real image, resized, re-encoded as PNG, kept under instance/logos/.

Re-encoding with Pillow means what we serve is pixels we wrote ourselves, never the uploaded
bytes (no SVG scripts, no polyglot files, no metadata with someone's location).
"""
import hashlib
import io
import os
import re

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from PIL import Image, UnidentifiedImageError

#: The largest upload we read, and the largest image we decode (a decompression-bomb guard).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: The branding form's body may be larger, so that a photo straight off a phone gets the field's
#: "at most 2 MB" rather than the app-wide 413 page.
MAX_FORM_BYTES = 4 * MAX_UPLOAD_BYTES
MAX_PIXELS = 25_000_000
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
#: The logo sits in a 2.75 rem high header: 3× that height is sharp on every screen.
BOX = (480, 160)
MIN_SIDE = 32
FILE_NAME = re.compile(r"^(\d+)-[0-9a-f]{16}\.png$")


class LogoError(ValueError):
    """The upload is not a usable logo; the message says why, for the form."""


def logo_folder():
    return os.path.join(current_app.instance_path, "logos")


def process_logo(stream):
    """Read an uploaded image, check it, fit it in BOX; return PNG bytes."""
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if not data:
        raise LogoError(_("Choose an image file."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise LogoError(_("The logo must weigh at most 2 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise LogoError(_("Send a PNG, JPEG, WebP or GIF image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise LogoError(_("This image is too large."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if min(image.size) < MIN_SIDE:
                raise LogoError(ngettext("The logo must be at least %(num)d pixel wide and high.",
                                     "The logo must be at least %(num)d pixels wide and high.", MIN_SIDE))
            image = image.convert("RGBA")
            image.thumbnail(BOX, Image.Resampling.LANCZOS)
            output = io.BytesIO()
            image.save(output, "PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise LogoError(_("This file is not an image we can read.")) from error
    return output.getvalue()


def store_logo(territory_id, png):
    """Write the logo under a name made of the territory and the content; return that name."""
    name = f"{territory_id}-{hashlib.sha256(png).hexdigest()[:16]}.png"
    folder = logo_folder()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        with open(path + ".part", "wb") as handle:
            handle.write(png)
        os.replace(path + ".part", path)
    return name


def belongs_to(name, territory_id):
    """Tell whether ``name`` is a stored logo file of this territory (guards paths from forms and URLs)."""
    match = FILE_NAME.match(name or "")
    return bool(match) and int(match.group(1)) == territory_id and os.path.exists(os.path.join(logo_folder(), name))


def remove_other_logos(territory_id, keep):
    """Delete this territory's previews and former logos, keeping ``keep``."""
    folder = logo_folder()
    if not os.path.isdir(folder):
        return
    for name in os.listdir(folder):
        match = FILE_NAME.match(name)
        if match and int(match.group(1)) == territory_id and name != keep:
            os.remove(os.path.join(folder, name))

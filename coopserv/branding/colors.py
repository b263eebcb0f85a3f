"""WCAG 2 contrast arithmetic for the colours a territory chooses.

The portal paints white text on the primary colour (header, primary buttons) and uses the
primary colour for links on white; the accent colour is a stripe next to the primary colour and
the background of counters with dark text. Each of those pairs must stay readable.
"""
import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
DARK = "#161616"
#: WCAG 2 AA: normal text 4.5:1; graphical objects and large text 3:1.
TEXT_MINIMUM = 4.5
GRAPHIC_MINIMUM = 3.0


def is_hex(value):
    return bool(value) and bool(HEX.match(value))


def relative_luminance(color):
    """Relative luminance of a #rrggbb colour, as WCAG 2 defines it."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first, second):
    """Contrast ratio between two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background):
    """White or near-black, whichever reads better on ``background``."""
    return WHITE if contrast_ratio(background, WHITE) >= contrast_ratio(background, DARK) else DARK


def contrast_report(primary, accent):
    """Every pair the portal draws with these colours: (key, ratio, minimum, passes)."""
    pairs = [
        ("primary_on_white", contrast_ratio(primary, WHITE), TEXT_MINIMUM),
        ("accent_next_to_primary", contrast_ratio(accent, primary), GRAPHIC_MINIMUM),
        ("text_on_accent", contrast_ratio(accent, text_on(accent)), TEXT_MINIMUM),
    ]
    return [(key, ratio, minimum, ratio >= minimum) for key, ratio, minimum in pairs]

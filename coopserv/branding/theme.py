"""The per-territory stylesheet: the design system's brand variables, with the territory's colours.

Served as a file (never a <style> element or a style attribute) so the Content-Security-Policy
can forbid inline styles; its URL carries a hash of the colours, so browsers cache it for good.
"""
import hashlib

from flask import url_for

from coopserv.branding.colors import text_on


def _mix(color, other, share):
    """Mix ``share`` of ``color`` into ``other`` (both #rrggbb), like CSS color-mix in sRGB."""
    channels = []
    for i in (1, 3, 5):
        a, b = int(color[i:i + 2], 16), int(other[i:i + 2], 16)
        channels.append(round(a * share + b * (1 - share)))
    return "#" + "".join(f"{c:02x}" for c in channels)


def brand_variables(primary, accent):
    """The custom properties a territory's colours define (derived shades included)."""
    primary, accent = primary.lower(), accent.lower()
    return {
        "--primary": primary,
        "--on-primary": text_on(primary),
        "--primary-hover": _mix(primary, "#000000", 0.82),
        "--primary-tint": _mix(primary, "#ffffff", 0.09),
        "--primary-soft": _mix(primary, "#ffffff", 0.22),
        "--accent": accent,
        "--on-accent": text_on(accent),
    }


def stylesheet(primary, accent, selector=":root"):
    body = "; ".join(f"{name}: {value}" for name, value in brand_variables(primary, accent).items())
    return f"{selector} {{ {body}; }}\n"


def theme_version(territory):
    return hashlib.sha256(f"{territory.primary_color}|{territory.accent_color}".encode()).hexdigest()[:10]


def theme_url(territory):
    """The address of a territory's stylesheet, changing whenever its colours change."""
    return url_for("branding.theme", territory_slug=territory.slug, v=theme_version(territory))


def brand_logo_url(territory):
    """Where the territory's logo is served from: its upload, else a local logo_url, else nothing."""
    if territory.logo_file:
        return url_for("branding.logo", territory_slug=territory.slug, name=territory.logo_file)
    if territory.logo_url and territory.logo_url.startswith("/") and not territory.logo_url.startswith("//"):
        return territory.logo_url
    return ""

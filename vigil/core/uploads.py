"""Which uploaded files are accepted: checked by content, not only by name.

A file is accepted when its content is recognised (by its leading bytes, with the
`filetype` library) as an image, a PDF, audio, video or an office document, and its
name's extension belongs to the same family. A file that claims to be a PDF but is
something else, or any program, archive or script, is refused with the reason.
Names are reduced to a safe base name; the file is never served inline.
"""

import io
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

FAMILIES: dict[str, set[str]] = {
    "image": {"jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "tif", "tiff"},
    "pdf": {"pdf"},
    "audio": {"mp3", "m4a", "ogg", "oga", "opus", "wav", "aac", "amr", "flac"},
    "video": {"mp4", "m4v", "mov", "3gp", "webm", "mkv", "avi"},
    "office": {"docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "rtf"},
}
# Phones record sound and film in the same MP4 container: one family for both.
MP4_CONTAINER = {"mp4", "m4a", "m4v", "mov", "3gp"}

# Office documents of today are ZIP archives, and a ZIP can be a bomb: a few
# kilobytes that unpack to gigabytes in whatever opens them (a viewer, an indexer, a
# colleague's laptop). Such a document is refused: more than this many parts, more
# than this much unpacked, or unpacking to more than RATIO times its own size (real
# documents stay well under 20). Sizes a ZIP declares can lie, so each part is also
# unpacked, counting, and the count stops at the limit.
ZIP_DOCUMENTS = {"docx", "xlsx", "pptx", "odt", "ods", "odp"}
ZIP_MAX_PARTS = 5_000
ZIP_MAX_UNPACKED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100


class UploadRefused(Exception):
    pass


def _family(extension: str) -> str | None:
    if extension in MP4_CONTAINER:
        return "mp4-container"
    for family, extensions in FAMILIES.items():
        if extension in extensions:
            return family
    return None


def safe_name(name: str) -> str:
    """A file name that is only a name: no folders, no control characters, short."""
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(base) > 120:
        stem, dot, extension = base.rpartition(".")
        base = (stem[:110] + dot + extension[:9]) if dot else base[:120]
    return base or "file"


def check(name: str, content: bytes) -> str:
    """The content's media type if the file is acceptable; UploadRefused if not."""
    if not content:
        raise UploadRefused(_("the file is empty"))
    extension = PurePath(name).suffix.lower().lstrip(".")
    if _family(extension) is None:
        raise UploadRefused(
            _(
                "files of this type are not accepted "
                "(images, PDF, audio, video and office documents are)"
            )
        )
    kind = filetype.guess(content[:8192])
    if kind is None or _family(kind.extension) is None:
        raise UploadRefused(_("its content is not an image, PDF, audio, video or office document"))
    if _family(kind.extension) != _family(extension):
        raise UploadRefused(
            _("its name says .%(claimed)s but its content is .%(found)s")
            % {"claimed": extension, "found": kind.extension}
        )
    if kind.extension in ZIP_DOCUMENTS or extension in ZIP_DOCUMENTS:
        _check_unpacked_size(content)
    return kind.mime


def _check_unpacked_size(content: bytes) -> None:
    too_big = UploadRefused(
        _("it unpacks to far more than its size, as documents made to crash computers do")
    )
    budget = min(ZIP_MAX_UNPACKED, ZIP_MAX_RATIO * len(content) + 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if len(parts) > ZIP_MAX_PARTS or sum(p.file_size for p in parts) > budget:
                raise too_big
            for part in parts:
                with archive.open(part) as unpacking:
                    while chunk := unpacking.read(1024 * 1024):
                        budget -= len(chunk)
                        if budget < 0:
                            raise too_big
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError, zlib.error) as error:  # fmt: skip
        raise UploadRefused(_("the document is damaged or protected by a password")) from error


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def store_all(
    uploads: list[Upload], *, max_bytes: int, record: Callable[[str, str, Any], None]
) -> list[str]:
    """Check each file (size, then content), encrypt and store it durably, and call
    `record(safe_name, content_type, stored)` to make the row that points to it.

    Returns the stored names. If anything is refused or fails, every file written so
    far is removed again and the error (a ValidationError on "files", naming the
    file and the reason) goes to the caller, whose transaction then saves nothing.
    """
    from vigil.vault import files

    written: list[str] = []
    try:
        for upload in uploads:
            name = safe_name(upload.name)
            if len(upload.content) > max_bytes:
                raise ValidationError(
                    {
                        "files": _("%(name)s is larger than %(limit)s.")
                        % {"name": name, "limit": filesizeformat(max_bytes)}
                    }
                )
            try:
                content_type = check(name, upload.content)
            except UploadRefused as refusal:
                raise ValidationError(
                    {
                        "files": _("%(name)s was not accepted: %(reason)s.")
                        % {"name": name, "reason": refusal}
                    }
                ) from refusal
            stored = files.save(upload.content)
            written.append(stored.name)
            record(name, content_type, stored)
    except Exception:
        for stored_name in written:
            files.delete(stored_name)
        raise
    return written

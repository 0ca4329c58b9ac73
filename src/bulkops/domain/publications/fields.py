"""Publication: each field's source, once (domain/fields.py)."""

from __future__ import annotations

from bulkops.domain.fields import Const, FieldMap, Plain, columns

PUBLICATION = FieldMap("Publication", {
    "id": Plain("id", "gid"), "_pk": Plain("id"), **columns(name="name", autoPublish="auto_publish"),
    "supportsFuturePublishing": Const(False), "catalog": Const(None), "operation": Const(None),
})

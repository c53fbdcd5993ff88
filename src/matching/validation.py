"""Validation that names every bad field in German, for forms and the JSON API alike.

Why not one ``msgspec.convert`` call: msgspec stops at the first error, but a clerk fixing a
form (or a developer reading a 422) needs all of them at once. Each field is converted on its
own against the struct's annotated type, then cross-field rules run on the whole object.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, Union, cast, get_args, get_origin

import msgspec

from matching.numbers import NumberRefused, parse_german_decimal
from scoring.fields import NumberField
from scoring.formatting import format_number
from scoring.money import to_cents

T = TypeVar("T", bound=msgspec.Struct)
S = TypeVar("S", bound=msgspec.Struct)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationFailed(Exception):
    """Input that cannot be stored; carries one German message per bad field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    def as_dict(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}


_TYPE_WORDS = {
    "int": "eine ganze Zahl",
    "float": "eine Zahl",
    "decimal": "eine Zahl",
    "str": "einen Text",
    "bool": "ja oder nein",
    "date": "ein Datum (TT.MM.JJJJ)",
    "array": "eine Liste",
    "object": "ein Objekt",
}


def _de_number(raw: str) -> str:
    """msgspec's bound ("100000.0") in German form ("100.000")."""
    try:
        return format_number(float(raw), 2, trim=True)
    except ValueError:
        return raw


def german_message(msg: str) -> str:
    """Translate msgspec's English error text into a sentence a clerk understands."""
    if m := re.search(r"Expected `(\w+)` >= (\S+)", msg):
        return f"Der Wert muss mindestens {_de_number(m.group(2))} sein."
    if m := re.search(r"Expected `(\w+)` > (\S+)", msg):
        return f"Der Wert muss größer als {_de_number(m.group(2))} sein."
    if m := re.search(r"Expected `(\w+)` <= (\S+)", msg):
        return f"Der Wert darf höchstens {_de_number(m.group(2))} sein."
    if m := re.search(r"Expected `(\w+)` < (\S+)", msg):
        return f"Der Wert muss kleiner als {_de_number(m.group(2))} sein."
    if m := re.search(r"Expected `(?:str|array)` of length <= (\d+)", msg):
        return f"Höchstens {m.group(1)} Zeichen bzw. Einträge erlaubt."
    if m := re.search(r"Expected `(?:str|array)` of length >= (\d+)", msg):
        n = int(m.group(1))
        return "Dieses Feld ist erforderlich." if n == 1 else f"Mindestens {n} Zeichen."
    if "Invalid decimal string" in msg:
        return "Bitte eine Zahl angeben, z. B. 1200.50 (Punkt vor den Nachkommastellen)."
    if "Invalid enum value" in msg:
        return "Dieser Wert ist nicht zulässig."
    if "multiple of" in msg:
        return "Bitte in Schritten von 0,5 angeben."
    if "Invalid RFC3339" in msg or "date" in msg:
        return "Bitte ein gültiges Datum angeben (TT.MM.JJJJ)."
    if m := re.search(r"Expected `(\w+)(?: \| null)?`", msg):
        return f"Bitte {_TYPE_WORDS.get(m.group(1), 'einen gültigen Wert')} angeben."
    if "Object missing required field" in msg:
        return "Dieses Feld ist erforderlich."
    return "Ungültiger Wert."


def _base_type(annotation: Any) -> tuple[Any, bool]:
    """The non-None member of an Optional annotation, and whether None is allowed
    (``msgspec.UnsetType``, the marker of a field left out, is not a member either)."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a not in (type(None), msgspec.UnsetType)]
        return (args[0] if len(args) == 1 else annotation), len(args) < len(get_args(annotation))
    return annotation, False


def _unwrap(tp: Any) -> Any:
    while hasattr(tp, "__metadata__"):
        tp = get_args(tp)[0]
    return tp


_DE_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def normalise_form_value(value: Any, annotation: Any) -> Any:
    """Form strings to typed values: German numbers (one parser, see :mod:`matching.numbers`),
    German dates, checkboxes, empty = None. :class:`NumberRefused` for an ambiguous number."""
    base, _optional = _base_type(annotation)
    target = _unwrap(base)
    if isinstance(value, str):
        value = value.strip()
        if value == "" and target is not bool:
            return None
        if target in (float, Decimal, int):
            number = parse_german_decimal(value)
            if target is int and number is not None and number == number.to_integral_value():
                return int(number)
            return number if target is Decimal else (None if number is None else float(number))
        if target is date and (m := _DE_DATE.match(value)):
            day, month, year = (int(g) for g in m.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return value
        if target is bool:
            return value.lower() in {"on", "true", "1", "ja", "yes"}
    return value


def cent_errors(data: object, names: tuple[str, ...]) -> list[FieldError]:
    """Amounts finer than a cent (``128.835``) are refused, never rounded silently: the
    engine compares money in exact integer cents."""
    errors = []
    for name in names:
        value = getattr(data, name, None)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            try:
                to_cents(value)
            except ValueError:
                errors.append(
                    FieldError(
                        name,
                        "Bitte einen Betrag in Euro mit höchstens zwei Nachkommastellen angeben.",
                    )
                )
    return errors


def contract_meta(spec: NumberField) -> msgspec.Meta:
    """msgspec constraints (and OpenAPI title/description) of a number field, built from the
    engine's field contract (:mod:`scoring.fields`), so the API accepts what the engine ranks."""
    integral = spec.step == 1
    bounds: dict[str, Any] = {
        ("gt" if spec.low_open else "ge"): int(spec.low) if integral else spec.low,
        "le": int(spec.high) if integral else spec.high,
    }
    if spec.step is not None and not integral:
        bounds["multiple_of"] = spec.step
    meta: Any = msgspec.Meta
    return cast(
        msgspec.Meta,
        meta(**bounds, title=spec.label, description=f"{spec.label}: {spec.describe()}"),
    )


def update_struct(base: type[S], name: str, module: str) -> type[S]:
    """The update shape of ``base``: every field defaults to ``UNSET``, so that absent means
    "unchanged" and ``null`` means "clear it"; plus an optional ``version`` for optimistic
    locking. Derived, not copied: a field is specified once, in ``base``."""
    fields: list[tuple[str, Any, Any]] = [
        (f.name, Union[f.type, msgspec.UnsetType], msgspec.UNSET)  # noqa: UP007
        for f in msgspec.structs.fields(base)
    ]
    fields.append(("version", Union[int, None], None))  # noqa: UP007
    struct = msgspec.defstruct(
        name, fields, bases=(base,), kw_only=True, forbid_unknown_fields=True, module=module
    )
    return cast(type[S], struct)


def sent_changes(data: msgspec.Struct, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields an update actually carries (``None`` included: it clears the field)."""
    return {n: v for n in names if (v := getattr(data, n, msgspec.UNSET)) is not msgspec.UNSET}


def uncleared(changes: Mapping[str, Any], required: frozenset[str]) -> list[FieldError]:
    """``null`` sent for a field that must keep a value."""
    return [
        FieldError(name, "Dieses Feld ist erforderlich und kann nicht geleert werden.")
        for name, value in changes.items()
        if value is None and name in required
    ]


def validate(struct_type: type[T], data: Mapping[str, Any], *, from_form: bool = False) -> T:
    """Build ``struct_type`` from ``data`` or raise ValidationFailed naming every bad field."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    known = set()
    for field in msgspec.structs.fields(struct_type):
        known.add(field.encode_name)
        present = field.encode_name in data
        raw = data.get(field.encode_name)
        if from_form:
            try:
                raw = normalise_form_value(raw, field.type)
            except NumberRefused as exc:
                errors.append(FieldError(field.encode_name, exc.reason))
                continue
            if _unwrap(_base_type(field.type)[0]) is bool and not present:
                raw = False
                present = True
        if present and raw is None and from_form and field.default is msgspec.UNSET:
            values[field.name] = None  # an update form's emptied field: clear it
            continue
        if not present or (raw is None and from_form):
            if field.required and not (raw is None and _base_type(field.type)[1]):
                errors.append(FieldError(field.encode_name, "Dieses Feld ist erforderlich."))
            continue
        try:
            values[field.name] = msgspec.convert(raw, field.type, strict=not from_form)
        except msgspec.ValidationError as exc:
            errors.append(FieldError(field.encode_name, german_message(str(exc))))
        except (InvalidOperation, ValueError, TypeError):
            errors.append(FieldError(field.encode_name, "Ungültiger Wert."))
    if not from_form:
        for key in data:
            if key not in known:
                errors.append(FieldError(key, "Unbekanntes Feld."))
    if errors:
        # Rules of single fields on the values that did convert, so one answer names all.
        field_rules = getattr(struct_type, "field_rules", None)
        if callable(field_rules):
            bad = {e.field for e in errors}
            errors += [e for e in field_rules(values) if e.field not in bad]
        raise ValidationFailed(errors)
    try:
        obj = struct_type(**values)
    except (TypeError, ValueError, msgspec.ValidationError) as exc:
        raise ValidationFailed([FieldError("__root__", german_message(str(exc)))]) from exc
    check = getattr(obj, "check", None)
    if callable(check):
        cross = check()
        if cross:
            raise ValidationFailed(cross)
    return obj

"""Lean output for the hot reads: serializers whose fields are built once per class, and
responses whose JSON was rendered before (a cached detail).

DRF builds a serializer's fields for every serializer object: a deep copy of the declared
fields and, for a ModelSerializer, a look at the model for each of the others. On a detail
read that building cost more than the row's query. `FastRepresentation` builds them once
per class and then runs DRF's own loop over them (the same fields, the same
`to_representation`s, so the same JSON): method fields are called on the serializer at
hand (its context), and the fields that read the context themselves (nested serializers,
file and hyperlinked fields) are bound to it once per serializer object, as DRF does.
"""

import copy
import json

from rest_framework import relations, serializers
from rest_framework.fields import SerializerMethodField, SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

# Fields whose output depends on the serializer they are bound to (its context, its root).
_BOUND_FIELD_TYPES = (
    serializers.BaseSerializer,
    serializers.FileField,
    relations.HyperlinkedRelatedField,
    relations.ManyRelatedField,
)

_METHOD, _SHARED, _BOUND = 0, 1, 2


class FastRepresentation:
    """Mixin for an output serializer whose fields are the same for every object of the
    class (no `get_fields` that depends on the context). Input is unchanged."""

    @classmethod
    def representation_plan(cls) -> list[tuple[str, int, object]]:
        plan = cls.__dict__.get("_representation_plan")
        if plan is None:
            template = cls(context={})
            plan = []
            for field in template._readable_fields:
                if isinstance(field, SerializerMethodField):
                    plan.append((field.field_name, _METHOD, field.method_name))
                elif isinstance(field, _BOUND_FIELD_TYPES):
                    plan.append((field.field_name, _BOUND, field))
                else:
                    plan.append((field.field_name, _SHARED, field))
            cls._representation_plan = plan
        return plan

    def _bound_field(self, name: str, template):
        bound = self.__dict__.setdefault("_bound_fields", {})
        field = bound.get(name)
        if field is None:
            field = bound[name] = copy.deepcopy(template)
            field.bind(name, self)
        return field

    def to_representation(self, instance):
        ret = {}
        for name, how, field in self.representation_plan():
            if how == _METHOD:
                ret[name] = getattr(self, field)(instance)
                continue
            if how == _BOUND:
                field = self._bound_field(name, field)
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


def render_json(data) -> bytes:
    """`data` as the API's JSON renderer writes it for a plain `application/json` answer."""
    return JSONRenderer().render(data)


class _Rendered(JSONRenderer):
    def __init__(self, content: bytes):
        self.content = content

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return self.content


class RenderedJSONResponse(Response):
    """A Response whose JSON body was rendered before (`render_json`), sent as it is. A
    client that asked for indented JSON gets it rendered afresh; `data` is parsed from the
    body only when something reads it (a test)."""

    def __init__(self, content: bytes, **kwargs):
        self._content_json = content
        self._parsed = None
        super().__init__(data=None, **kwargs)

    @property
    def data(self):
        if self._parsed is None:
            self._parsed = json.loads(self._content_json)
        return self._parsed

    @data.setter
    def data(self, value):
        if value is not None:
            self._parsed = value

    @property
    def rendered_content(self):
        renderer = getattr(self, "accepted_renderer", None)
        if isinstance(renderer, JSONRenderer) and (
            renderer.get_indent(self.accepted_media_type, self.renderer_context) is None
        ):
            # DRF's own renderer writes this body for this answer: send it unchanged.
            self.accepted_renderer = _Rendered(self._content_json)
            self.accepted_renderer.media_type = renderer.media_type
            self.accepted_renderer.charset = renderer.charset
        return super().rendered_content

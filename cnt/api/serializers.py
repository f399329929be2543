from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one error shape: a message, a machine-readable code, and field errors if any."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class EnumField(serializers.ChoiceField):
    """A choice field documented as one named enum component, however many serializers use
    it (inline enums shared across components make drf-spectacular warn about naming)."""

    def __init__(self, choices, component: str, **kwargs):
        self.component = component
        super().__init__(choices=choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        values = [str(value) for value in field.choices]
        described = "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items())
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema={"type": "string", "enum": values, "description": described},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def validated(serializer_class, request, *, data=None, partial: bool = False, **context) -> dict:
    """Parse a request's body (or `data`, e.g. its query parameters) with an input
    serializer: the validated data, or a 400 naming the fields that do not fit. The
    serializer's context holds the request and any `context` given."""
    serializer = serializer_class(
        data=request.data if data is None else data,
        partial=partial,
        context={"request": request, **context},
    )
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

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


def named_component(auto_schema, name: str, schema: dict) -> dict:
    """A reference to the schema component `name`, registered on first use: how a field
    type is documented once however many serializers use it."""
    component = ResolvedComponent(
        name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
    )
    auto_schema.registry.register_on_missing(component)
    return component.ref


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        values = [str(value) for value in field.choices]
        described = "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items())
        schema = {"type": "string", "enum": values, "description": described}
        return named_component(auto_schema, field.component, schema)


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


AMOUNT_SCHEMA = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^\d{1,10}(?:\.\d{1,2})?$",
    "example": "25.00",
    "description": (
        "Money: a decimal string (answered with two decimal places), never a float, in the "
        "currency named beside it."
    ),
}
CURRENCY_SCHEMA = {
    "type": "string",
    "pattern": "^[A-Za-z]{3}$",
    "example": "GBP",
    "description": "An ISO 4217 currency code (answered in upper case).",
}


class AmountField(serializers.DecimalField):
    """A sum of money: a decimal string with up to two places, documented once as `Amount`
    wherever money appears (always next to a `currency`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        kwargs["coerce_to_string"] = True
        super().__init__(**kwargs)


class CurrencyField(serializers.RegexField):
    """An ISO 4217 code, documented once as `Currency`; stored and answered in upper case."""

    def __init__(self, **kwargs):
        super().__init__(r"^[A-Za-z]{3}$", **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class _NamedSchemaExtension(OpenApiSerializerFieldExtension):
    component: str
    schema: dict

    def map_serializer_field(self, auto_schema, direction):
        return named_component(auto_schema, self.component, self.schema)


class AmountFieldExtension(_NamedSchemaExtension):
    target_class = AmountField
    component = "Amount"
    schema = AMOUNT_SCHEMA


class CurrencyFieldExtension(_NamedSchemaExtension):
    target_class = CurrencyField
    component = "Currency"
    schema = CURRENCY_SCHEMA

"""What every app's API shares for its OpenAPI schema: the documented error answers and choice
fields with their own schema component names, and the schema class that documents on every
operation the answers any of them can give (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]).

Kept apart from cppcc.api, which DRF imports while it is still loading (permission classes).
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

ERRORS = {
    400: OpenApiResponse(description="输入不符合规则（中文说明见 detail）"),
    403: OpenApiResponse(description="无权执行该操作"),
    404: OpenApiResponse(description="记录不存在或不在您的数据范围内"),
}
CONFLICT = {409: OpenApiResponse(description="记录已被他人处理")}

# The body of every refusal: {"detail": "…"} (with "code" for a workflow refusal) or, for bad
# input, {field: ["…"]}. Free-form, so one schema fits both.
ERROR_BODY = {"type": "object", "additionalProperties": True}
UNAUTHORIZED = "未登录、令牌缺失或已过期（WWW-Authenticate: Token）"
BAD_FILTER = "查询参数不符合规则（如年份、编号超出范围，或选项不在您的数据范围内）"
NO_PAGE = "页码超出范围，或记录不存在、不在您的数据范围内"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    """Adds to each operation the answers the whole API gives, so that a client (and
    schemathesis) knows them: 401 without a valid token, 403 outside one's role, 404 for a record
    outside one's scope or a page past the end, 400 for bad filters or bodies, and 409 when a write
    meets a record someone else changed or a move its state refuses. An operation's own
    descriptions (ERRORS, CONFLICT, REFUSED …) are kept."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = {"401": UNAUTHORIZED, "403": ERRORS[403].description, "404": NO_PAGE}
        if self.method in WRITES:
            extra["400"] = ERRORS[400].description
            extra["409"] = CONFLICT[409].description
        elif self._is_list_view():
            extra["400"] = BAD_FILTER
        for code, description in extra.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_BODY}},
                },
            )
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops allow_blank from a ModelSerializer's read-only fields, so a choice the
        # model leaves blank ("" until a proposal is refused …) would be missing from its enum.
        if (
            isinstance(field, serializers.ChoiceField)
            and field.read_only
            and not field.allow_blank
            and _model_field_is_blank(field)
        ):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _model_field_is_blank(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or "." in field.source or field.source == "*":
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:  # a property or annotation: no model field to ask
        return False


def enum_field(choices, name: str):
    """A choice field with its own schema component: several models have a field called
    `status`, and drf-spectacular would otherwise give their enums colliding names."""

    @extend_schema_field(
        {
            "type": "string",
            "enum": [value for value, _label in choices],
            "description": "；".join(f"{v}：{lbl}" for v, lbl in choices),
        },
        component_name=name,
    )
    class Field(serializers.ChoiceField):
        pass

    return Field


def prefetched_rows(serializer_class, row):
    """A read-only nested list with `serializer_class`'s schema, each prefetched row written
    by `row` (a function of the row, giving the same dict the serializer would).

    A list of fifty meetings carries several hundred attendance rows; through a nested
    ModelSerializer each of their fields costs a field lookup and a to_representation call,
    a third of the meetings API's time at ten counties' scale (issue 13). The tests compare
    the two answers.
    """

    @extend_schema_field(serializer_class(many=True))
    class Field(serializers.Field):
        def __init__(self, **kwargs):
            kwargs["read_only"] = True
            super().__init__(**kwargs)

        def to_representation(self, value):
            return [row(item) for item in value.all()]

    return Field


class DisplayField(serializers.CharField):
    """A choice's label: `DisplayField(source="get_status_display", read_only=True)`, answered
    as a CharField with that source is, but calling the method directly. DRF checks every
    callable source with inspect.signature on every row (~0.2 ms of a list's row, issue 13)."""

    def get_attribute(self, instance):
        return getattr(instance, self.source)()

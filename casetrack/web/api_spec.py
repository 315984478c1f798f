"""The OpenAPI 3.1 description of /api/v1 (served at /api/v1/openapi.json; the tests validate responses by it)."""

_NULLABLE_STRING = {"type": ["string", "null"]}
_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_TIME = {"type": "string", "format": "date-time"}

_PERSON = {
    "type": "object",
    "required": ["name", "id_number", "phone"],
    "properties": {
        "side": {"type": "string", "enum": ["applicant", "respondent"]},
        "name": {"type": "string"},
        "id_number": {**_NULLABLE_STRING, "description": "身份证号码;无权查看全文的账号看到的是遮蔽后的号码(6201**********123X)"},
        "phone": {**_NULLABLE_STRING, "description": "手机号码;无权查看全文的账号看到的是遮蔽后的号码(138****5678)"},
    },
    "additionalProperties": False,
}

_DISPUTE = {
    "type": "object",
    "required": ["kind", "number", "township", "village", "registered_on", "status", "status_label", "type", "level",
                 "risk_level", "outcome", "closed_on", "updated_at", "parties"],
    "properties": {
        "kind": {"const": "dispute"},
        "number": {"type": "string", "description": "案号,如 (2026)斜调字第12号"},
        "township": {"type": "string"}, "village": _NULLABLE_STRING,
        "registered_on": _DATE, "status": {"type": "string"}, "status_label": {"type": "string"},
        "type": _NULLABLE_STRING, "level": {"type": "string", "enum": ["village", "township", "county"]},
        "risk_level": {"type": "string"}, "outcome": _NULLABLE_STRING, "closed_on": _NULLABLE_DATE,
        "updated_at": _TIME, "parties": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}},
        "summary": {"type": "string", "description": "纠纷简要情况(仅单件查询)"},
    },
    "additionalProperties": False,
}

_PETITION = {
    "type": "object",
    "required": ["kind", "number", "township", "village", "received_on", "status", "status_label", "level", "channel",
                 "persons", "category", "updated_at", "petitioners"],
    "properties": {
        "kind": {"const": "petition"},
        "number": {"type": "string"}, "township": {"type": "string"}, "village": _NULLABLE_STRING,
        "received_on": _DATE, "status": {"type": "string"}, "status_label": {"type": "string"},
        "level": {"type": "string"}, "channel": {"type": "string"}, "persons": {"type": "integer", "minimum": 1},
        "category": _NULLABLE_STRING, "updated_at": _TIME,
        "petitioners": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}},
        "request": {"type": "string", "description": "信访请求(仅单件查询)"},
    },
    "additionalProperties": False,
}

_FIGURES = {
    "type": "object",
    "description": "与 /reports/<year>.json 和 flask report 输出的 JSON 相同:各项数字、口径(definitions)和报告文字(text)",
    "required": ["year", "period", "township", "as_at", "complete", "disputes", "petitions", "screening", "grid",
                 "definitions", "text"],
    "properties": {
        "year": {"type": "integer"}, "period": {"type": "string"}, "township": {"type": "string"},
        "as_at": _DATE, "complete": {"type": "boolean"},
        "disputes": {"type": "object"}, "petitions": {"type": "object"}, "screening": {"type": "object"},
        "grid": {"type": "object", "properties": {"townships": {"type": "integer"}, "villages": {"type": "integer"},
                                                  "natural_villages": {"type": "integer"}}},
        "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
        "text": {"type": "string"}, "nil_return": {"type": "boolean", "description": "月报:是否零报告"},
    },
}

_ERROR = {
    "type": "object", "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    "additionalProperties": False,
}


def _errors(*codes: str) -> dict:
    words = {"400": "参数无效", "401": "缺少令牌,或令牌无效、已撤销、已过期", "403": "本账号无权查看",
             "404": "不存在或不在本账号的查看范围内", "429": "请求过于频繁(见 Retry-After)"}
    return {code: {"description": words[code], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for code in codes}


def _json(schema_ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "casetrack API",
        "version": "1.0.0",
        "description": "只读接口:统计数字和案件。每个账号用自己的令牌(flask --app casetrack token create USERNAME),"
                       "看到的范围与该账号在网页上相同;每个令牌限速(默认每60秒300次)。",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Person": _PERSON, "Dispute": _DISPUTE, "Petition": _PETITION, "Figures": _FIGURES,
                    "Error": _ERROR,
                    "Case": {"oneOf": [{"$ref": "#/components/schemas/Dispute"},
                                       {"$ref": "#/components/schemas/Petition"}]},
                    "CasePage": {"type": "object", "required": ["items", "next_cursor"], "properties": {
                        "items": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/Case"}},
                        "next_cursor": {**_NULLABLE_STRING, "description": "下一页的 cursor;最后一页为 null"}},
                        "additionalProperties": False}},
    },
    "paths": {
        "/figures/{year}": {"get": {
            "summary": "一年(或一月、一季度)的统计数字、口径和报告文字",
            "parameters": [
                {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "township", "in": "query", "schema": {"type": "string"}, "description": "乡镇名称"},
                {"name": "month", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 12}},
                {"name": "quarter", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 4}},
            ],
            "responses": {"200": _json("Figures", "统计数字"), **_errors("400", "401", "403", "404", "429")},
        }},
        "/cases": {"get": {
            "summary": "案件列表,按 id 顺序每页100件(keyset 分页)",
            "parameters": [
                {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["dispute", "petition"],
                                                           "default": "dispute"}},
                {"name": "township", "in": "query", "schema": {"type": "string"}},
                {"name": "year", "in": "query", "schema": {"type": "integer"}},
                {"name": "status", "in": "query", "schema": {"type": "string"}},
                {"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {"200": _json("CasePage", "一页案件"), **_errors("400", "401", "404", "429")},
        }},
        "/cases/{number}": {"get": {
            "summary": "按案号查询一件纠纷或信访事项",
            "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json("Case", "案件"), **_errors("401", "404", "429")},
        }},
    },
}

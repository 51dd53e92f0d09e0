"""Masking of personal data for lists, logs and SMS: first 6 and last 4 digits only."""


def mask_id_number(id_number: str) -> str:
    """110101199003071234 -> 110101********1234."""
    value = (id_number or "").strip()
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_name(full_name: str) -> str:
    """张三丰 -> 张**; Li Lei -> L*****."""
    value = (full_name or "").strip()
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)

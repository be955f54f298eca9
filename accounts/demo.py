"""Demo agency, departments and one staff user per role (used by `manage.py seed_demo`).

Idempotent: running it again changes nothing. The data is Nha Trang's because that is the
first office using the portal; nothing in the code depends on it.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from .constants import Role
from .models import Agency, Department, User

DEMO_PASSWORD = "MotCua@2026"  # noqa: S105 - documented demo password, DEBUG only

AGENCY = {
    "code": "000.00.20.H32",  # [U] Khánh Hòa prefix H32 inferred (DOMAIN.md §4.1); illustrative
    "name": "Phòng Văn hóa và Thông tin thành phố Nha Trang",
    "short_name": "Phòng VH&TT Nha Trang",
    "parent_name": "UBND thành phố Nha Trang",
    "address": "Bộ phận Một cửa, 01 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa",
    "locality": "Nha Trang",
    "hotline": "0258 3822 500",
    "email": "vhtt.nhatrang@example.gov.vn",
    "office_hours": (
        "Thứ Hai đến Thứ Sáu (trừ ngày lễ, Tết)\n"
        "Sáng: 7 giờ 00 - 11 giờ 30\nChiều: 13 giờ 30 - 17 giờ 00"
    ),
    "is_primary": True,
}

DEPARTMENTS = {
    "desk": ("Bộ phận Tiếp nhận và Trả kết quả", "Bộ phận Một cửa"),
    "office": ("Phòng Văn hóa và Thông tin", "Phòng VH&TT"),
    "leadership": ("Lãnh đạo Phòng", "Lãnh đạo"),
}

USERS = [
    # username, last name, first name, department, role, is_staff (admin site access)
    ("motcua", "Nguyễn Thị", "Hoa", "desk", Role.DESK_OFFICER, False),
    ("chuyenvien", "Trần Văn", "Minh", "office", Role.SPECIALIST, True),
    ("lanhdao", "Lê Quang", "Vinh", "leadership", Role.LEADER, True),
    ("quantri", "Phạm Thu", "Trang", "office", Role.ADMINISTRATOR, True),
]


@transaction.atomic
def seed() -> Agency:
    agency, _ = Agency.objects.get_or_create(code=AGENCY["code"], defaults=AGENCY)
    departments = {}
    for key, (name, short) in DEPARTMENTS.items():
        departments[key], _ = Department.objects.get_or_create(
            agency=agency, name=name, defaults={"short_name": short}
        )
    for username, last, first, dept, role, is_staff in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            last_name=last,
            first_name=first,
            department=departments[dept],
            is_staff=is_staff,
            email=f"{username}@example.gov.vn",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return agency

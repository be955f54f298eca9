import factory

from accounts.models import Agency, Department, User


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    name = "Phòng Văn hóa và Thông tin thành phố Nha Trang"
    short_name = "Phòng VH&TT Nha Trang"
    parent_name = "UBND thành phố Nha Trang"
    code = "000.00.20.H32"
    address = "01 Trần Phú, Nha Trang, Khánh Hòa"
    locality = "Nha Trang"
    hotline = "0258 3822 500"
    email = "vhtt@example.gov.vn"
    office_hours = "Thứ Hai - Thứ Sáu: 7:00 - 11:30, 13:30 - 17:00"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Bộ phận {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn A"
    last_name = "Nguyễn"
    department = factory.SubFactory(DepartmentFactory)
    password = factory.PostGenerationMethodCall("set_password", "matkhau-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()

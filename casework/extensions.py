"""Every Flask extension, created unbound; `create_app` binds them."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.model import Model as FlaskSQLAlchemyModel
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# What every model subclasses. At run time it is `db.Model`: Flask-SQLAlchemy builds it from
# `Base` (the same metadata, naming convention and registry) and adds `query`, bind keys and
# table naming. mypy cannot follow a base class made at run time (python/mypy#8603), so it is
# shown a static class with the same surface instead.
if TYPE_CHECKING:

    class Model(Base, FlaskSQLAlchemyModel):
        __table__: ClassVar[Table]  # every model maps a table, never a join or a subquery

else:
    Model = db.Model

migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

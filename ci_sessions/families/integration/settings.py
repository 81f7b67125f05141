"""``[tool.ci_sessions.integration]``: its presence defines the integration session."""

from __future__ import annotations

from dataclasses import dataclass

from ci_sessions.config import tables, values
from ci_sessions.config.schema import ResolveContext, Section, setting
from ci_sessions.families.suites.settings import max_failure_rate_setting, warn_failure_rate_setting
from ci_sessions.services import SERVICES
from ci_sessions.services.keys import SERVICE_NAMES, image_table, unused_service_keys


@dataclass(frozen=True)
class IntegrationConfig:
    """Turned into a named suite (families/integration/family.py)."""

    paths: tuple[str, ...] = setting(
        values.project_paths, ("tests/integration",), "the integration tests"
    )
    markers: str | None = setting(values.marker_expression, None, "a pytest `-m` expression")
    services: tuple[str, ...] = setting(
        values.subset_of(SERVICE_NAMES),
        (),
        f"some of {', '.join(f'`{name}`' for name in SERVICE_NAMES)}",
    )
    # Service -> the variable that gives its URL (and that the tests read).
    url_env: tuple[tuple[str, str], ...] = setting(
        tables.env_table(SERVICE_NAMES),
        (),
        "service -> the variable a given URL is read from, and that the tests get",
        default_text=", ".join(
            f"`{name}`: `{service.URL_ENV}`" for name, service in SERVICES.items()
        ),
    )
    ready_timeout: float = setting(
        values.seconds, 30.0, "seconds a service has to answer (wall clock, finite)"
    )
    # Service -> the container image CI runs it from (a tag, or pinned by digest).
    max_failure_rate: float = max_failure_rate_setting()
    warn_failure_rate: float = warn_failure_rate_setting()
    images: tuple[tuple[str, str], ...] = setting(
        image_table,
        (),
        "service -> the container image CI runs it from; pin it by digest "
        '(`"postgres:17@sha256:..."`, from `docker buildx imagetools inspect`)',
        default_text=", ".join(
            f"`{name}`: `{service.CI_CONTAINER['image']}`" for name, service in SERVICES.items()
        ),
    )


def resolve(settings: IntegrationConfig, context: ResolveContext) -> IntegrationConfig:
    problem = unused_service_keys(
        settings.services, settings.images, settings.url_env
    ) or values.budget_problem(settings.max_failure_rate, settings.warn_failure_rate)
    if problem:
        raise ValueError(f"[tool.ci_sessions.integration] {problem}")
    return settings


INTEGRATION = Section(
    table="integration",
    build=IntegrationConfig,
    resolve=resolve,
    optional=True,
    title="its presence defines the `integration` session",
)

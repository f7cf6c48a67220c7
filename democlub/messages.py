"""The condo portal's Spanish replies, word for word, and the attempt log's codes.

Engines classify replies by these texts (PORTAL.md, "Reply"), so they are
constants in one place rather than strings scattered in the views.
"""

SUCCESS = "Su reservación se ha realizado con éxito y ya se encuentra aprobada."
NOT_OPEN = (
    "Esta fecha aún no está disponible para reservación. "
    "Las reservaciones serán habilitadas {advance} antes."
)
SLOT_TAKEN = (
    "Su reservación excede la cantidad máxima de reservaciones permitidas para este horario, "
    "ya existen otras reservaciones en el horario seleccionado."
)
QUOTA = "No es posible ingresar la reservación, usted ya ha sobrepasado el límite permitido."
PAST = "No es posible ingresar la reservación, el horario seleccionado ya pasó."
BAD_AREA = "El área seleccionada no es válida."
BAD_DAY = "La fecha seleccionada no es válida."
BAD_SCHEDULE = "El horario seleccionado no es válido."
SERVER_ERROR = "Error interno del servidor. Intente de nuevo más tarde."
BAD_LOGIN = "Número de filial o contraseña incorrectos."
SESSION_EXPIRED = "Su sesión ha expirado. Ingrese nuevamente."
CANCELLED = "Su reservación ha sido cancelada."
CANCEL_NOT_FOUND = "No se encontró la reservación indicada."

# Outcome codes of the attempt log (not shown to members).
OUTCOME_SUCCESS = "success"
OUTCOME_NOT_OPEN = "not_open"
OUTCOME_TAKEN = "slot_taken"
OUTCOME_QUOTA = "quota"
OUTCOME_PAST = "past"
OUTCOME_INVALID = "invalid"
OUTCOME_SERVER_ERROR = "server_error"
OUTCOME_SESSION_EXPIRED = "session_expired"
OUTCOME_BAD_CREDENTIALS = "bad_credentials"
OUTCOME_CSRF = "csrf"  # the grid's form came with a missing or stale page token

"""HTML of the member pages, as ``string.Template`` texts.

The structure (ids, classes, element kinds, link targets, Spanish texts) is
the contract PORTAL.md describes and the engine's page objects rely on; the
look is deliberately plain. Every value is escaped by the caller via ``esc``.
"""

from __future__ import annotations

from html import escape
from string import Template

_BASE = Template("""<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; margin: 1em; color: #222; }
.btn, button, input[type=button], input[type=submit] { padding: .4em 1em; cursor: pointer; }
.calendar td { width: 2.5em; height: 2em; text-align: center; border: 1px solid #ccc; }
.calendar-day_clickable { background: #d9f2d9; cursor: pointer; }
.calendar-day_disabled { color: #aaa; }
.alert { padding: 1em; border: 1px solid #999; }
.alert-success { background: #dff0d8; } .alert-danger { background: #f2dede; }
#modal { display: none; position: fixed; inset: 5%; background: #fff; border: 2px solid #444; }
#modal iframe, #day_frame { width: 100%; height: 90%; border: 0; }
</style>
</head>
<body>
$body
</body>
</html>
""")


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def page(title: str, body: str) -> str:
    return _BASE.substitute(title=esc(title), body=body)


LOGIN = Template("""<div id="login_box">
<h1>Portal de Residentes</h1>
$notice
<p><label>Filial / Casa<br><input type="text" autocomplete="username"></label></p>
<p><label>Contraseña<br><input type="password" autocomplete="current-password"
  onkeydown="if (event.key === 'Enter') { f_login(); }"></label></p>
<button type="button" class="btn btn-login" onclick="f_login()">Ingresar</button>
</div>
<script>
// The inputs carry no names (as on the real portal): the button posts them.
function f_login() {
  var inputs = document.querySelectorAll('#login_box input');
  var form = document.createElement('form');
  form.method = 'post';
  form.action = 'login.php';
  [['house', inputs[0].value], ['password', inputs[1].value]].forEach(function (pair) {
    var field = document.createElement('input');
    field.type = 'hidden'; field.name = pair[0]; field.value = pair[1];
    form.appendChild(field);
  });
  document.body.appendChild(form);
  form.submit();
}
</script>""")

DASHBOARD = Template("""<h1>Bienvenido, filial $member</h1>
<nav>
<a href="pre_reservations.php"
  onclick="return f_open_modal(this.getAttribute('href'));">Reservaciones</a> |
<a href="my_reservations.php?w=$w" id="my_reservations">Mis Reservaciones</a> |
<a href="logout.php">Salir</a>
</nav>
<div id="modal">
<button type="button"
  onclick="document.getElementById('modal').style.display='none'">Cerrar</button>
<iframe id="modal_iframe" name="modal_iframe" src="about:blank" title="Reservaciones"></iframe>
</div>
<script>
function f_open_modal(url) {
  document.getElementById('modal_iframe').src = url;
  document.getElementById('modal').style.display = 'block';
  return false;
}
</script>""")

AREA_SELECT = Template("""<h2>Reservaciones</h2>
<p><label for="area">Área</label>
<select id="area" name="area" onchange="f_show_rules(this.value)">
<option value="">Seleccione un área</option>
$options
</select></p>
$rules
<div id="continue_box" style="display:none">
<input type="button" id="btn_cont" class="btn" value="Aceptar y Continuar"
  onclick="location.href = 'reservations.php?area=' + document.getElementById('area').value;">
</div>
<script>
function f_show_rules(area) {
  document.querySelectorAll('.area_rules').forEach(function (box) {
    box.style.display = (box.getAttribute('data-area') === area) ? 'block' : 'none';
  });
  document.getElementById('continue_box').style.display = area ? 'block' : 'none';
}
</script>""")

CALENDAR = Template("""<h2>$area_name</h2>
<div class="calendar-nav">
<a class="calendar-prev"
  href="reservations.php?area=$area&amp;month=$prev_month">&laquo; Anterior</a>
<strong class="calendar-title">$month_title</strong>
<a class="calendar-next"
  href="reservations.php?area=$area&amp;month=$next_month">Siguiente &raquo;</a>
</div>
<table class="calendar">
<thead><tr><th>Lu</th><th>Ma</th><th>Mi</th><th>Ju</th><th>Vi</th><th>Sá</th><th>Do</th></tr></thead>
<tbody>
$weeks
</tbody>
</table>
<iframe id="day_frame" name="day_frame" src="about:blank" title="Día"></iframe>
<script>
function f_change_reservation_day(day, area) {
  document.getElementById('day_frame').src =
    'day_reservations.php?day=' + encodeURIComponent(day) + '&area=' + encodeURIComponent(area);
}
</script>""")

DAY = Template("""<h3>$area_name &mdash; $day_title</h3>
<ul class="reserved_list">
$reserved
</ul>
<p><a class="btn new_reservation"
  href="new_reservation.php?day=$day&amp;area=$area">+ Solicitar Reserva</a></p>""")

FORM = Template("""<h3>Solicitar Reserva &mdash; $area_name, $day_title</h3>
<form id="reservation_form" method="post" action="../utilities/process/actions/add_reservation.php">
<input type="hidden" name="area" value="$area">
<input type="hidden" name="day" value="$day">
<p><label for="schedule">Horario</label>
<select id="schedule" name="schedule">
<option value="">Seleccione un horario</option>
$options
</select></p>
<p><label for="comments">Comentarios</label>
<input type="text" id="comments" name="comments" maxlength="250"></p>
<p><input type="submit" id="save_btn" class="btn" value="Guardar"></p>
</form>""")

REPLY = Template("""<div id="message" class="alert $css" role="alert">$message</div>
<p><a href="$back">Volver</a></p>""")

MY_RESERVATIONS = Template("""<h2>Mis Reservaciones</h2>
$notice
<table class="my_reservations">
<thead><tr><th>Área</th><th>Fecha</th><th>Horario</th><th></th></tr></thead>
<tbody>
$rows
</tbody>
</table>
<p><a href="/dashboard.php?w=$w">Volver</a></p>""")

MY_ROW = Template("""<tr class="reservation" data-id="$id">
<td class="area">$area_name</td><td class="day">$day</td><td class="schedule">$label</td>
<td><form method="post" action="/utilities/process/actions/cancel_reservation.php">
<input type="hidden" name="id" value="$id">
<input type="submit" class="btn btn_cancel" value="Cancelar"></form></td>
</tr>""")

SERVER_ERROR = page(
    "500 Internal Server Error",
    "<h1>Internal Server Error</h1><p>The server encountered an internal error.</p>",
)

// The grid portal's only script: the booking form's end time and the
// bookings search. No libraries: plain DOM and fetch.
(function () {
  'use strict';

  function twelveHour(seconds) {
    var minutes = Math.floor(seconds / 60) % (24 * 60);
    var hour = Math.floor(minutes / 60), minute = minutes % 60;
    var half = hour < 12 ? 'AM' : 'PM';
    return (hour % 12 || 12) + ':' + (minute < 10 ? '0' : '') + minute + ' ' + half;
  }

  // The form's hidden end_time is empty in the HTML: set it to start +
  // data-duration (seconds) on load and whenever the start changes.
  function bookingForm(form) {
    var start = form.querySelector('#start');
    var end = form.querySelector('#end_time');
    var label = document.getElementById('end-label');
    function update() {
      if (!start.value) {
        end.value = '';
        label.textContent = '';
        return;
      }
      var seconds = parseInt(start.value, 10) + parseInt(start.getAttribute('data-duration'), 10);
      end.value = String(seconds);
      label.textContent = 'until ' + twelveHour(seconds);
    }
    start.addEventListener('change', update);
    update();
  }

  function minutesBetween(start, end) {
    function minutes(text) {
      var parts = text.split(':');
      return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
    }
    var length = minutes(end) - minutes(start);
    return length > 0 ? length : length + 24 * 60;
  }

  function lengthText(minutes) {
    if (minutes % 60) {
      return minutes + ' minutes';
    }
    return minutes === 60 ? '1 hour' : (minutes / 60) + ' hours';
  }

  function cell(className, text) {
    var td = document.createElement('td');
    td.className = className;
    td.textContent = text;
    return td;
  }

  function cancelForm(booking, token) {
    var form = document.createElement('form');
    form.method = 'post';
    form.action = '/cancel';
    [['id', String(booking.id)], ['csrf_token', token]].forEach(function (pair) {
      var field = document.createElement('input');
      field.type = 'hidden';
      field.name = pair[0];
      field.value = pair[1];
      form.appendChild(field);
    });
    var button = document.createElement('button');
    button.type = 'submit';
    button.className = 'cancel';
    button.textContent = 'Cancel';
    button.setAttribute('aria-label', 'Cancel booking #' + booking.id);
    form.appendChild(button);
    return form;
  }

  function fill(table, bookings) {
    var body = table.querySelector('tbody');
    var viewer = table.getAttribute('data-viewer');
    var token = table.getAttribute('data-csrf-token');
    body.textContent = '';
    bookings.forEach(function (booking) {
      var row = document.createElement('tr');
      row.className = 'booking';
      row.setAttribute('data-id', String(booking.id));
      row.appendChild(cell('when', booking.when));
      row.appendChild(cell('court', booking.court_name));
      row.appendChild(cell('length', lengthText(minutesBetween(booking.start, booking.end))));
      row.appendChild(cell('who', booking.member));
      row.appendChild(cell('ref', '#' + booking.id));
      var actions = cell('actions', '');
      if (booking.member === viewer) {
        actions.appendChild(cancelForm(booking, token));
      }
      row.appendChild(actions);
      body.appendChild(row);
    });
    if (!bookings.length) {
      var empty = document.createElement('tr');
      empty.className = 'empty';
      var td = cell('', 'No bookings found.');
      td.colSpan = 6;
      empty.appendChild(td);
      body.appendChild(empty);
    }
    table.setAttribute('data-state', 'loaded');
  }

  // The search page is a shell: its rows arrive a little after load.
  function searchResults(table) {
    var member = new URLSearchParams(window.location.search).get('member') || '';
    window.setTimeout(function () {
      fetch('/bookings.json?member=' + encodeURIComponent(member), { credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) {
            throw new Error('HTTP ' + response.status);
          }
          return response.json();
        })
        .then(function (data) { fill(table, data.bookings); })
        .catch(function () { table.setAttribute('data-state', 'error'); });
    }, 150);
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.getElementById('booking-form');
    if (form) {
      bookingForm(form);
    }
    var results = document.getElementById('results');
    if (results) {
      searchResults(results);
    }
  });
})();

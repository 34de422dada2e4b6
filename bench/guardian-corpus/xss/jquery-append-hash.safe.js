// expect: safe xss CWE-79
// model: javascript/jquery.json
function chop(text) {
  return text.substring(1);
}
$('#greeting').text(decodeURIComponent(chop(location.hash)));
$('#greeting').append('<b>welcome</b>');

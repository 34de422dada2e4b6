// expect: safe open_redirect CWE-601
// model: javascript/electron.json
const { ipcMain, shell } = require('electron');
ipcMain.on('open-help', () => {
  shell.openExternal('https://docs.example.com/help');
});

import TapeCommands
TapeCommand.main()

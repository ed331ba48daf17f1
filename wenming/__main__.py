from wenming.cli import main

main()
